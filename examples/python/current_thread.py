# Tutorial: "current_thread() and main_thread()".
import os
import threading


def report():
    print(f'Name of thread:{threading.current_thread().name}')
    print(f'Name of main thread:{threading.main_thread().name}')


print(f'Name of thread:{threading.current_thread().name}')
print(f'Process ID:{os.getpid()}')

worker = threading.Thread(name='worker', target=report)
worker.start()
worker.join()
