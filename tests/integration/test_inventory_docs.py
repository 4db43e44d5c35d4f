"""docs/inventory.md's vault example, taken from the guide and run as written (with a password file)."""

from __future__ import annotations

import re
import subprocess

import pytest
import yaml

from tests.integration.harness import BIN, ROOT, TOKEN

GUIDE = ROOT / "docs" / "inventory.md"
BLOCK = re.compile(r"```(?P<lang>yaml|console)\n(?P<body>.*?)```", re.S)


def section(title: str) -> str:
    text = GUIDE.read_text()
    start = text.index(f"## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end > 0 else None]


def vault_example() -> tuple[dict[str, str], str]:
    """The YAML files of the Secrets section by the name in their first comment, and the command line."""
    files, command = {}, None
    for block in BLOCK.finditer(section("Secrets")):
        if block["lang"] == "console":
            command = block["body"].strip()
        else:
            name = block["body"].splitlines()[0].lstrip("# ").split(",")[0].strip()
            files[name] = block["body"]
    return files, command


@pytest.fixture
def example(tmp_path):
    files, command = vault_example()
    assert set(files) == {"fleet.sdx.yml", "vault.yml", "site.yml"}
    assert command == "ansible-playbook -i fleet.sdx.yml site.yml -e @vault.yml --ask-vault-pass"
    for name, body in files.items():
        (tmp_path / name).write_text(body.replace("alto_sk_replace_me", TOKEN))
    password = tmp_path / "vault-password"
    password.write_text("correct horse battery staple\n")
    subprocess.run([str(BIN / "ansible-vault"), "encrypt", "--vault-password-file", str(password),
                    str(tmp_path / "vault.yml")], check=True, capture_output=True, timeout=120)
    assert TOKEN not in (tmp_path / "vault.yml").read_text()
    return tmp_path, password


def run_example(ansible, folder, password):
    # --ask-vault-pass prompts; a password file is the same thing without a terminal.
    return ansible.playbook(folder / "site.yml", "-i", str(folder / "fleet.sdx.yml"), "-e", f"@{folder / 'vault.yml'}",
                            "--vault-password-file", str(password), env={"SDX_API_TOKEN": ""})


def test_the_vault_example_feeds_the_inventory_and_the_modules(ansible, sim, example):
    folder, password = example
    run = run_example(ansible, folder, password)
    assert run.rc == 0, run.output
    requests = sim.log()
    assert [entry["auth"] for entry in requests] == ["ok"] * 10, "one GET /sites and one command per online site"
    ran = [record for record in run.records if record["task"] == "Resources"]
    assert len(ran) == len(sim.sites(online=True)) == 9
    assert all(record["status"] == "ok" for record in ran)


def test_without_module_defaults_the_tasks_have_no_token(ansible, sim, example):
    folder, password = example
    play = yaml.safe_load((folder / "site.yml").read_text())
    del play[0]["module_defaults"]
    (folder / "site.yml").write_text(yaml.safe_dump(play))
    run = run_example(ansible, folder, password)
    assert run.rc != 0
    failed = [record for record in run.records if record["status"] == "failed"]
    assert len(failed) == 9
    assert all("no API token given" in record["result"]["msg"] for record in failed)
