"""The customer web chat: Rasa's socket.io channel protocol, served by the gateway, with its state in Redis."""
