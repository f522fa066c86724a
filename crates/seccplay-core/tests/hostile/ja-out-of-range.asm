ld [0]
ja +7
ret #0
