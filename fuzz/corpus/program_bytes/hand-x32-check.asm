ld [4]
jeq #0xc000003e, L1, L2
L1: ld [0]
jset #0x40000000, L2, +0
ret #0x7fff0000
L2: ret #0
