# -*- Python -*-
# The GoogleTest unit tests: lit runs each test case of cnnc-unittests.

import lit.formats

config.name = "cnnc-unit"
config.test_format = lit.formats.GoogleTest(".", "unittests")
config.test_source_root = config.unit_test_dir
config.test_exec_root = config.unit_test_dir
