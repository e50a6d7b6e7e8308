# Tutorial: "submit()".
import concurrent.futures
import time


def do_something(seconds):
    print(f'Sleeping {seconds} Second(s)')
    time.sleep(seconds)
    return f'Done Sleeping...'


with concurrent.futures.ThreadPoolExecutor() as executor:
    f1 = executor.submit(do_something, 1)
    print(f1.result())
