# Tutorial: "concurrent.futures.map()": results in the order of the arguments. Seconds are tenths
# here so the example runs in half a second.
import concurrent.futures
import time


def do_something(seconds):
    print(f'Sleeping {seconds} Second(s)...')
    time.sleep(seconds)
    return f'Done Sleeping...{seconds}'


with concurrent.futures.ThreadPoolExecutor() as executor:
    secs = [0.5, 0.4, 0.3, 0.2, 0.1]
    results = executor.map(do_something, secs)
    for result in results:
        print(result)
