# Tutorial: "To maintain local data". Each thread sees its own thread_data.x (the main thread's 10
# is untouched by the others); the global list is one for every thread.
import threading
import time

thread_data = threading.local()  # one x per thread
seen = []                        # a global: one list, shared by every thread
seen_lock = threading.Lock()


def worker(i):
    thread_data.x = i
    with seen_lock:
        seen.append(i)
    time.sleep(0.1)  # the others set their own x meanwhile
    print(f'{threading.current_thread().name}: x = {thread_data.x}')


thread_data.x = 10

threads = []
for i in range(1, 4):
    t = threading.Thread(target=worker, args=[i])
    t.start()
    threads.append(t)
for t in threads:
    t.join()

print(f'MainThread: x = {thread_data.x}')
print(f'seen by all: {len(seen)} items')
