st M[16]
ret #0
