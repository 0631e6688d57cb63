"""NetworkManager integration: persistent host objects, runtime objects kept unmanaged, host facts.
"""
