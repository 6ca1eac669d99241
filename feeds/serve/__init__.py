"""The live server: the Store that polls the definitions and swaps in new site snapshots, the
Flask app and the below-Flask path that answer requests from them, request stats and the client
families they are counted by. It may import everything below it (definitions, revisions, render,
site and the shared base modules); it is the only package that imports Flask.
"""
