ld #0x1ffffffff
ret a
