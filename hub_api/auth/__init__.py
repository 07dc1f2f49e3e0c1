"""Authentication: passwords, tokens, principals and the access guard."""
