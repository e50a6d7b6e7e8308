# Tutorial: "deadlocks". Two threads take lock_a and lock_b in opposite orders: each holds one and
# waits for the other, forever.
import threading
import time

lock_a = threading.Lock()
lock_b = threading.Lock()


def first_a_then_b():
    with lock_a:
        print(f'{threading.current_thread().name} holds lock_a')
        time.sleep(0.1)  # meanwhile the other thread takes lock_b
        with lock_b:     # waits for a thread that waits for us
            print(f'{threading.current_thread().name} holds both')


def first_b_then_a():
    with lock_b:
        print(f'{threading.current_thread().name} holds lock_b')
        time.sleep(0.1)
        with lock_a:
            print(f'{threading.current_thread().name} holds both')


t1 = threading.Thread(target=first_a_then_b)
t2 = threading.Thread(target=first_b_then_a)
t1.start()
t2.start()
t1.join()
t2.join()
print('both threads finished')
