# A producer and two consumers share a queue.Queue(maxsize=3): put() waits while it is full, get()
# while it is empty, and q.join() until every item is marked task_done().
import queue
import threading
import time

q = queue.Queue(maxsize=3)  # at most 3 items wait in it


def producer():
    for item in range(1, 9):
        q.put(item)  # waits while the queue is full
    for _ in range(2):
        q.put(None)  # one "stop" per consumer


def consumer():
    while True:
        item = q.get()  # waits while the queue is empty
        if item is None:
            q.task_done()
            break
        time.sleep(0.1)  # work on it
        print(f'{threading.current_thread().name} got {item}')
        q.task_done()


threads = [threading.Thread(name='producer', target=producer),
           threading.Thread(name='consumer-1', target=consumer),
           threading.Thread(name='consumer-2', target=consumer)]
for t in threads:
    t.start()
threads[0].join()  # the producer has put every item (else q.join() could return before the first put)
q.join()  # until every item put is marked task_done()
print('all items processed')
for t in threads[1:]:
    t.join()
