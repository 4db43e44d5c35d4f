"""Print the file name ansible-test looks for in its cache for the get-pip bootstrap."""
import pathlib
import re

import ansible_test

SOURCE = (pathlib.Path(ansible_test.__file__).parent / "_internal" / "python_requirements.py").read_text()
print("get_pip_" + re.search(r"pip='([^']+)'", SOURCE).group(1).replace(".", "_") + ".py")
