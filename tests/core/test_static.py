"""Production static files: collectstatic with the hashed manifest must find every file the
vendored CSS refers to (a missing font stops a deployment)."""

from django.core.management import call_command


def test_collectstatic_with_the_manifest_storage_finds_every_referenced_file(settings, tmp_path):
    settings.STATIC_ROOT = str(tmp_path / "static")
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    assert (tmp_path / "static" / "staticfiles.json").exists()
    assert list((tmp_path / "static" / "vendor" / "bootstrap-icons" / "fonts").glob("bootstrap-icons.*.woff"))
