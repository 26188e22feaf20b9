"""Mirror a search of a real STAC API into a local static catalog (an offline kit).

``plan`` decides the files, ``fetch`` reads them over HTTP, ``write`` writes the kit's catalog and
manifest, ``safety`` checks what the remote sends; ``run.mirror`` puts them together.
"""
