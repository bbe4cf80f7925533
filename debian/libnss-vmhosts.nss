hosts before=resolve,dns vmhosts
