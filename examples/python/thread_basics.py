# Tutorial: "Thread()", "start()", "join()".
import threading
import time


def do_something():
    print('sleeping 1 second')
    time.sleep(1)
    print('Done Sleeping')


thread1 = threading.Thread(group=None, name='any_name', target=do_something, args=[], kwargs={}, daemon=None)
thread1.start()
thread1.join()
print(f'{thread1.name} is alive: {thread1.is_alive()}')
try:
    thread1.start()  # "It must be called at most once per thread object."
except RuntimeError as error:
    print(f'RuntimeError: {error}')
