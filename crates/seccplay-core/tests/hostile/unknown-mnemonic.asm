frob #1
ret #0
