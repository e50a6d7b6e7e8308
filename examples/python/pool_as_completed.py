# Tutorial: "concurrent.futures.as_completed()": results as each task finishes. Seconds are
# tenths here so the example runs in half a second; the order is the point.
import concurrent.futures
import time


def do_something(seconds):
    print(f'Sleeping {seconds} Second(s)...')
    time.sleep(seconds)
    return f'Done Sleeping...{seconds}'


with concurrent.futures.ThreadPoolExecutor() as executor:
    secs = [0.5, 0.4, 0.3, 0.2, 0.1]
    results = [executor.submit(do_something, sec) for sec in secs]
    for f in concurrent.futures.as_completed(results):
        print(f.result())
