# Tutorial: "Example of Threading": 10 threads each sleep 1 second; all done in about 1 second.
import threading
import time

start = time.perf_counter()


def do_something(seconds):
    print(f'Sleeping {seconds} Second(s)...')
    time.sleep(seconds)
    print(f'Done Sleeping...')


threads = []

for _ in range(10):
    t = threading.Thread(target=do_something, args=[1])
    t.start()
    threads.append(t)

for thread in threads:
    thread.join()

end = time.perf_counter()

print(f'Successfully Executed in {round(end-start,2)} Second(s)')
