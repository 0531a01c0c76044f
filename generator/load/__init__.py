"""definitions/ -> Project: import every module, collect the model objects, expand and link them."""
