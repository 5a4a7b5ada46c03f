"""The public board (``/public/<site>``): how a centre serves citizens, for anyone to read."""
