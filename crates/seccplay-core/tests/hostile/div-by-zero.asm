div #0
ret a
