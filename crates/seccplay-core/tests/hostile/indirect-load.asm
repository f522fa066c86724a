ld [x+0]
ret a
