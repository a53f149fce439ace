from django.core.files.uploadedfile import SimpleUploadedFile

from attachments.tests import files


def upload(data: bytes | None = None, name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, files.jpeg() if data is None else data)


def stored_names(storage) -> set[str]:
    """Every file in the attachment storage (file system)."""
    found: set[str] = set()

    def walk(path: str) -> None:
        dirs, names = storage.listdir(path)
        found.update(f"{path}/{n}".lstrip("/") for n in names)
        for d in dirs:
            walk(f"{path}/{d}".lstrip("/"))

    if storage.exists(""):
        walk("")
    return found
