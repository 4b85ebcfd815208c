# Empty dependencies file for smolder_lib.
# This may be replaced when dependencies are built.
