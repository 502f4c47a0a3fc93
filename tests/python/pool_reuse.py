# A pool with fewer workers than downloads: some worker must take a second one.
import time
from concurrent.futures import ThreadPoolExecutor

def download(filename, seconds):
    print(f'Downloading {filename}...')
    time.sleep(seconds)

with ThreadPoolExecutor(max_workers=2) as pool:
    for i, seconds in enumerate([3, 4, 3, 5, 3]):
        pool.submit(download, f'file-{i}.zip', seconds)
