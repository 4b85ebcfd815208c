file(REMOVE_RECURSE
  "libsmolder_lib.a"
)
