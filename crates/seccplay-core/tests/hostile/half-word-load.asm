ldh [0]
ret a
