/*
 * source_fixtures.h — the `.pyroscope.yaml` of Pyroscope's Java rideshare example (as
 * ../shared/spec/source-mapping.md quotes it), which test_source_rules.c parses and
 * test_source.c serves from the GitHub stand-in.  Included by those two files only.
 */
#ifndef SMOLDER_SOURCE_FIXTURES_H
#define SMOLDER_SOURCE_FIXTURES_H

static const char rideshare_yaml[] =
	"---\n"
	"version: v1\n"
	"source_code:\n"
	"  mappings:\n"
	"    - function_name:\n"
	"        - prefix: org/example/rideshare\n"
	"      language: java\n"
	"      source:\n"
	"        local:\n"
	"          path: src/main/java\n"
	"    - function_name:\n"
	"        - prefix: java\n"
	"      language: java\n"
	"      source:\n"
	"        github:\n"
	"          owner: openjdk\n"
	"          repo: jdk\n"
	"          ref: jdk-17+0\n"
	"          path: src/java.base/share/classes\n"
	"    - function_name:\n"
	"        - prefix: org/springframework/http\n"
	"        - prefix: org/springframework/web\n"
	"      language: java\n"
	"      source:\n"
	"        github:\n"
	"          owner: spring-projects\n"
	"          repo: spring-framework\n"
	"          ref: v5.3.20\n"
	"          path: spring-web/src/main/java\n"
	"    - function_name:\n"
	"        - prefix: org/springframework/web/servlet\n"
	"      language: java\n"
	"      source:\n"
	"        github:\n"
	"          owner: spring-projects\n"
	"          repo: spring-framework\n"
	"          ref: v5.3.20\n"
	"          path: spring-webmvc/src/main/java\n";

#endif
