# SPDX-License-Identifier: GPL-2.0
"""Writes a UEFI variable straight into a copy of an OVMF variable store
file (the flash image QEMU gives the guest as pflash unit 1), before the
guest boots: the rig's way to put a test certificate into the UEFI db
without a firmware program (Debian 12 has no virt-fw-vars).

Format: EDK2's authenticated variable store (MdeModulePkg/Include/Guid/
VariableFormat.h) inside a firmware volume: FV header, VARIABLE_STORE_HEADER,
then AUTHENTICATED_VARIABLE_HEADER + UTF-16 name + data, each variable
4-byte aligned, free space 0xff.  The store is in setup mode (no PK), so
OVMF takes an authenticated variable as it is and Secure Boot stays off;
the kernel still reads db into its platform keyring."""

import struct
import subprocess
import uuid

AUTH_VARSTORE_GUID = uuid.UUID("aaf32c78-947b-439a-a180-2e144ec37792")
IMAGE_SECURITY_DB_GUID = uuid.UUID("d719b2cb-3d3a-4596-a3bc-dad00e67656f")
EFI_CERT_X509_GUID = uuid.UUID("a5c059a1-94e4-4aa7-87b5-ab155c2bf072")
OWNER_GUID = uuid.UUID("6f1e8a25-3d0b-4c4e-9a53-b3d0d1a7b9e1")

FV_HEADER_LENGTH_AT = 0x30          # EFI_FIRMWARE_VOLUME_HEADER.HeaderLength
VARSTORE_HEADER = "<16sIBBHI"       # Signature, Size, Format, State, 2 x rsvd
VAR_HEADER = "<HBBIQ16sIII16s"      # AUTHENTICATED_VARIABLE_HEADER
VARIABLE_DATA = 0x55aa              # StartId
VAR_ADDED = 0x3f
VAR_DELETED = VAR_ADDED & 0xfd   # VAR_DELETED cleared (EDK2)
VARIABLE_STORE_FORMATTED = 0x5a
VARIABLE_STORE_HEALTHY = 0xfe
EFI_VARIABLE_NV_BS_RT = 0x07
EFI_VARIABLE_TIME_BASED_AUTHENTICATED_WRITE_ACCESS = 0x20
# Debian's ovmf: Secure Boot enrolled with its snakeoil test key
SNAKEOIL_VARS = "/usr/share/OVMF/OVMF_VARS_4M.snakeoil.fd"


def x509_signature_list(cert_pem):
    """EFI_SIGNATURE_LIST of one X.509 certificate (what efitools'
    cert-to-efi-sig-list writes)."""
    der = subprocess.run(["openssl", "x509", "-outform", "DER", "-in",
                          cert_pem], check=True, capture_output=True).stdout
    entry = OWNER_GUID.bytes_le + der
    return struct.pack("<16sIII", EFI_CERT_X509_GUID.bytes_le,
                       28 + len(entry), 0, len(entry)) + entry


def _variables(store):
    """Walks the OVMF_VARS image's variables: yields (offset, state,
    name) of each, then (offset, None, None) where the free space
    starts."""
    fv_len = struct.unpack_from("<H", store, FV_HEADER_LENGTH_AT)[0]
    sig, size, fmt, state, _, _ = struct.unpack_from(VARSTORE_HEADER, store,
                                                     fv_len)
    if (sig != AUTH_VARSTORE_GUID.bytes_le or
            fmt != VARIABLE_STORE_FORMATTED or
            state != VARIABLE_STORE_HEALTHY):
        raise ValueError("not an EDK2 authenticated variable store")
    at = fv_len + struct.calcsize(VARSTORE_HEADER)
    hlen = struct.calcsize(VAR_HEADER)
    while struct.unpack_from("<H", store, at)[0] == VARIABLE_DATA:
        nsize, dsize = struct.unpack_from("<II", store, at + 36)
        vname = store[at + hlen:at + hlen + nsize].decode("utf-16-le")
        yield at, store[at + 2], vname.rstrip("\0")
        at = (at + hlen + nsize + dsize + 3) & ~3
    yield at, None, None


def _store_end(store):
    fv_len = struct.unpack_from("<H", store, FV_HEADER_LENGTH_AT)[0]
    return fv_len + struct.unpack_from(VARSTORE_HEADER, store, fv_len)[1]


def add_variable(store, name, guid, attrs, data):
    """store (bytearray): the OVMF_VARS image; appends one variable."""
    for at, vstate, vname in _variables(store):
        if vstate == VAR_ADDED and vname == name:
            raise ValueError("variable %s already set" % name)
    end = _store_end(store)
    wname = (name + "\0").encode("utf-16-le")
    var = struct.pack(VAR_HEADER, VARIABLE_DATA, VAR_ADDED, 0, attrs, 0,
                      bytes(16), 0, len(wname), len(data),
                      guid.bytes_le) + wname + data
    if at + len(var) > end or store[at:at + len(var)].strip(b"\xff"):
        raise ValueError("no room in the variable store")
    store[at:at + len(var)] = var


def vars_with_db(src, dst, cert_pem):
    """dst: a copy of the OVMF variable store src whose db holds cert."""
    store = bytearray(open(src, "rb").read())
    add_variable(store, "db", IMAGE_SECURITY_DB_GUID,
                 EFI_VARIABLE_NV_BS_RT |
                 EFI_VARIABLE_TIME_BASED_AUTHENTICATED_WRITE_ACCESS,
                 x509_signature_list(cert_pem))
    with open(dst, "wb") as f:
        f.write(store)


def delete_variable(store, name):
    """Marks the live variable name deleted, as EDK2 does (State bit 1
    cleared); the firmware then reads the store as if it were never set."""
    for at, vstate, vname in _variables(store):
        if vstate == VAR_ADDED and vname == name:
            store[at + 2] = VAR_DELETED
            return
    raise ValueError("variable %s not set" % name)


def vars_secure_boot(dst, cert_pem):
    """dst: Debian's enrolled test store (SNAKEOIL_VARS: Secure Boot on,
    PK and KEK Debian's snakeoil key) whose db holds cert alone.  A store
    with PK, KEK and db written here into the empty one stays off:
    this OVMF wants the rest of what its enrollment leaves there."""
    store = bytearray(open(SNAKEOIL_VARS, "rb").read())
    delete_variable(store, "db")
    add_variable(store, "db", IMAGE_SECURITY_DB_GUID,
                 EFI_VARIABLE_NV_BS_RT |
                 EFI_VARIABLE_TIME_BASED_AUTHENTICATED_WRITE_ACCESS,
                 x509_signature_list(cert_pem))
    with open(dst, "wb") as f:
        f.write(store)
