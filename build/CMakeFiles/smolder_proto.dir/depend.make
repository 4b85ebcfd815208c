# Empty dependencies file for smolder_proto.
# This may be replaced when dependencies are built.
