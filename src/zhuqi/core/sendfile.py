"""Serving a stored file after the view has checked who may see it (issue 21).

By default Django streams the file itself (`FileResponse`). Behind a web server that can send
files on the application's word, set `ZHUQI_SENDFILE`:

* `nginx`: the answer carries `X-Accel-Redirect: <ZHUQI_SENDFILE_PREFIX><stored name>` and no
  body; nginx serves the file from an `internal` location mapped to MEDIA_ROOT
  (docs/operations.md), which no client can request directly.
* `xsendfile`: the answer carries `X-Sendfile: <path on disk>` (Apache mod_xsendfile, lighttpd).

Either way the headers a browser needs (type, download name) come from here, and the scope check
stays in the view: the web server never serves an attachment on its own.
"""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpResponse, HttpResponseBase
from django.utils.http import content_disposition_header

OFF, NGINX, XSENDFILE = "off", "nginx", "xsendfile"
MODES = (OFF, NGINX, XSENDFILE)


def file_response(
    file: FieldFile, *, filename: str, content_type: str, as_attachment: bool
) -> HttpResponseBase:
    mode = getattr(settings, "ZHUQI_SENDFILE", OFF)
    if mode == OFF:
        return FileResponse(file.open("rb"), as_attachment=as_attachment, filename=filename)
    response = HttpResponse(content_type=content_type or "application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(as_attachment, filename) or ""
    if mode == NGINX:
        response["X-Accel-Redirect"] = quote(settings.ZHUQI_SENDFILE_PREFIX + str(file.name))
    else:
        response["X-Sendfile"] = file.path
    return response
