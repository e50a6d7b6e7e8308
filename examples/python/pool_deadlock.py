# Tutorial: "deadlocks", in a pool. A task on a one-worker pool submits another task and waits for
# its result: the new task is queued behind the one waiting for it, and the only worker is busy
# waiting.
import concurrent.futures
import threading


def inner():
    return 42


def outer(executor):
    future = executor.submit(inner)  # queued: the only worker is running outer
    print(f'{threading.current_thread().name} waits for inner\'s result')
    return future.result()           # waits for a task that cannot start


with concurrent.futures.ThreadPoolExecutor(max_workers=1) as executor:
    f = executor.submit(outer, executor)
    print(f.result())
