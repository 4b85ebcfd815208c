file(REMOVE_RECURSE
  "CMakeFiles/smolder_proto.dir/proto/profile.pb-c.c.o"
  "CMakeFiles/smolder_proto.dir/proto/profile.pb-c.c.o.d"
  "libsmolder_proto.a"
  "libsmolder_proto.pdb"
  "proto/profile.pb-c.c"
  "proto/profile.pb-c.h"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/smolder_proto.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
