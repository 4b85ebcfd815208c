# Empty dependencies file for smolder.
# This may be replaced when dependencies are built.
