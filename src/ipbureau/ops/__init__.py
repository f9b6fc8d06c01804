"""Operations without HTTP: backing up an instance into one archive and restoring it into a fresh one.

``backup.create_backup`` writes the archive (database, uploaded files, manifest); ``restore.restore_backup`` checks
it, restores it into an empty instance, migrates it when it is older and verifies it against its manifest.
``manifest`` holds what both compute the same way (per-table record counts and content checksums, file checksums).
"""
