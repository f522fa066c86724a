ld [0]
jeq #1, +5, +0
ret #0x7fff0000
