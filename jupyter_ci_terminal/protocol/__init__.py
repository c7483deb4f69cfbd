"""Sans-I/O codecs: the browser's terminado messages and the runner's websocket subprotocols."""
