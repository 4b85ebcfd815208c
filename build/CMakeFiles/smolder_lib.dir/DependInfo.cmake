
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/main/src/base/arena.c" "CMakeFiles/smolder_lib.dir/src/base/arena.c.o" "gcc" "CMakeFiles/smolder_lib.dir/src/base/arena.c.o.d"
  "/work/main/src/base/buf.c" "CMakeFiles/smolder_lib.dir/src/base/buf.c.o" "gcc" "CMakeFiles/smolder_lib.dir/src/base/buf.c.o.d"
  "/work/main/src/base/err.c" "CMakeFiles/smolder_lib.dir/src/base/err.c.o" "gcc" "CMakeFiles/smolder_lib.dir/src/base/err.c.o.d"
  "/work/main/src/base/hmap.c" "CMakeFiles/smolder_lib.dir/src/base/hmap.c.o" "gcc" "CMakeFiles/smolder_lib.dir/src/base/hmap.c.o.d"
  "/work/main/src/base/text.c" "CMakeFiles/smolder_lib.dir/src/base/text.c.o" "gcc" "CMakeFiles/smolder_lib.dir/src/base/text.c.o.d"
  "/work/main/src/base/units.c" "CMakeFiles/smolder_lib.dir/src/base/units.c.o" "gcc" "CMakeFiles/smolder_lib.dir/src/base/units.c.o.d"
  "/work/main/src/cmd/cmd_top.c" "CMakeFiles/smolder_lib.dir/src/cmd/cmd_top.c.o" "gcc" "CMakeFiles/smolder_lib.dir/src/cmd/cmd_top.c.o.d"
  "/work/main/src/cmd/cmd_view.c" "CMakeFiles/smolder_lib.dir/src/cmd/cmd_view.c.o" "gcc" "CMakeFiles/smolder_lib.dir/src/cmd/cmd_view.c.o.d"
  "/work/main/src/ingest/decode.c" "CMakeFiles/smolder_lib.dir/src/ingest/decode.c.o" "gcc" "CMakeFiles/smolder_lib.dir/src/ingest/decode.c.o.d"
  "/work/main/src/ingest/fetch.c" "CMakeFiles/smolder_lib.dir/src/ingest/fetch.c.o" "gcc" "CMakeFiles/smolder_lib.dir/src/ingest/fetch.c.o.d"
  "/work/main/src/ingest/folded.c" "CMakeFiles/smolder_lib.dir/src/ingest/folded.c.o" "gcc" "CMakeFiles/smolder_lib.dir/src/ingest/folded.c.o.d"
  "/work/main/src/ingest/inflate.c" "CMakeFiles/smolder_lib.dir/src/ingest/inflate.c.o" "gcc" "CMakeFiles/smolder_lib.dir/src/ingest/inflate.c.o.d"
  "/work/main/src/ingest/load.c" "CMakeFiles/smolder_lib.dir/src/ingest/load.c.o" "gcc" "CMakeFiles/smolder_lib.dir/src/ingest/load.c.o.d"
  "/work/main/src/ingest/pprof.c" "CMakeFiles/smolder_lib.dir/src/ingest/pprof.c.o" "gcc" "CMakeFiles/smolder_lib.dir/src/ingest/pprof.c.o.d"
  "/work/main/src/profile/builder.c" "CMakeFiles/smolder_lib.dir/src/profile/builder.c.o" "gcc" "CMakeFiles/smolder_lib.dir/src/profile/builder.c.o.d"
  "/work/main/src/profile/prof.c" "CMakeFiles/smolder_lib.dir/src/profile/prof.c.o" "gcc" "CMakeFiles/smolder_lib.dir/src/profile/prof.c.o.d"
  "/work/main/src/profile/top.c" "CMakeFiles/smolder_lib.dir/src/profile/top.c.o" "gcc" "CMakeFiles/smolder_lib.dir/src/profile/top.c.o.d"
  "/work/main/src/profile/tree.c" "CMakeFiles/smolder_lib.dir/src/profile/tree.c.o" "gcc" "CMakeFiles/smolder_lib.dir/src/profile/tree.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  "/work/main/build/CMakeFiles/smolder_proto.dir/DependInfo.cmake"
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
