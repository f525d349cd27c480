"""Keys the way members have them, beside the in-process Ed25519 keys of ``signing``:

* :mod:`.sk` — hardware-token keys (``sk-ssh-ed25519@openssh.com``): their public key
  blobs and the signatures a FIDO token makes, checked with the same Ed25519 math;
* :mod:`.agent` — an ssh-agent client (draft-miller-ssh-agent) over ``SSH_AUTH_SOCK``:
  signing by a key the agent (or the token behind it) holds, no private key bytes read
  and no passphrase asked here.

Both produce and accept the SSHSIG format of ``ssh-keygen -Y sign`` byte for byte.
Nothing here prompts, and no error message carries key material.
"""
