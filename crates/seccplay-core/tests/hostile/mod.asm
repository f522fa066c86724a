mod #3
ret a
