ld [0]
ld [2]
ret #0
