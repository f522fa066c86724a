lsh #32
ret a
