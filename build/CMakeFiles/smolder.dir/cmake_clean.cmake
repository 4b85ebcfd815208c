file(REMOVE_RECURSE
  "CMakeFiles/smolder.dir/src/main.c.o"
  "CMakeFiles/smolder.dir/src/main.c.o.d"
  "smolder"
  "smolder.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/smolder.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
