file(REMOVE_RECURSE
  "libsmolder_proto.a"
)
