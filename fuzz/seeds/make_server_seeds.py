#!/usr/bin/env python3
"""Writes the committed seeds of the server fuzz targets (fuzz/seeds/{oip_request,
tfserving_request,multipart}/): small requests of each protocol's shapes around a 2x2 BMP.
Run from the repository root: python3 fuzz/seeds/make_server_seeds.py"""
import base64
import json
import struct

# A 2x2 24-bit BMP: rows bottom-up, each padded to 4 bytes.
ROW = bytes([0, 0, 255, 0, 255, 0]) + b'\0\0'
PIXELS = ROW * 2
BMP = (b'BM' + struct.pack('<IHHI', 54 + len(PIXELS), 0, 0, 54) +
       struct.pack('<IiiHHIIiiII', 40, 2, 2, 1, 24, 0, len(PIXELS), 2835, 2835, 0, 0) + PIXELS)
B64 = base64.b64encode(BMP).decode()


def dump(o):
    return json.dumps(o, separators=(',', ':')).encode()


def write(path, data):
    with open(path, 'wb') as f:
        f.write(data)


def oip(name, header, extra=b'', split=True):
    """oip_request_fuzz input: Inference-Header-Content-Length value (or nothing), newline, body."""
    body = dump(header)
    write('fuzz/seeds/oip_request/' + name, (str(len(body)).encode() if split else b'') + b'\n' + body + extra)


def tfs(name, o):
    write('fuzz/seeds/tfserving_request/' + name, dump(o))


def mp(name, content_type, body):
    """multipart_fuzz input: Content-Type value, newline, body."""
    write('fuzz/seeds/multipart/' + name, content_type.encode() + b'\n' + body)


oip('json_bytes_b64.req', {"id": "1", "inputs": [{"name": "input", "datatype": "BYTES", "shape": [1], "data": [B64]}],
                           "outputs": [{"name": "scores", "parameters": {"classification": 2}}]}, split=False)
oip('json_bytes_b64_object.req',
    {"inputs": [{"name": "input", "datatype": "BYTES", "shape": [1, 1], "data": [[{"b64": B64}]]}],
     "parameters": {"binary_data_output": True}, "outputs": [{"name": "logits", "parameters": {"binary_data": False}}]},
    split=False)
oip('json_uint8_tensor.req', {"inputs": [{"name": "input", "datatype": "UINT8", "shape": [1, 2, 2, 3],
                               "data": [[[[0, 1, 2], [3, 4, 5]], [[6, 7, 8], [9, 10, 255]]]]}]}, split=False)
oip('json_int8_tensor.req', {"inputs": [{"name": "input", "datatype": "INT8", "shape": [1, 2, 1], "data": [-128, 127]}]},
    split=False)
oip('json_fp32_tensor.req', {"inputs": [{"name": "input", "datatype": "FP32", "shape": [2, 2, 1, 2],
                              "data": [0.5, -1.25, 3e-3, 1e10, 0, 1, 2, 3]}],
                             "outputs": [{"name": "scores"}, {"name": "logits"}]}, split=False)
BYTES_BIN = struct.pack('<I', len(BMP)) + BMP + struct.pack('<I', 3) + b'abc'
oip('binary_bytes.req', {"inputs": [{"name": "input", "datatype": "BYTES", "shape": [2],
                                     "parameters": {"binary_data_size": len(BYTES_BIN)}}],
                         "outputs": [{"name": "scores", "parameters": {"binary_data": True, "classification": 3}}]},
    BYTES_BIN)
oip('binary_uint8.req', {"inputs": [{"name": "input", "datatype": "UINT8", "shape": [2, 2, 3],
                                     "parameters": {"binary_data_size": 12}}]}, bytes(range(12)))
oip('binary_fp32.req', {"inputs": [{"name": "input", "datatype": "FP32", "shape": [1, 2, 1, 2],
                                    "parameters": {"binary_data_size": 16}}]}, struct.pack('<4f', 0.5, -1, 2, 1e-3))

tfs('predict_instances_b64.json', {"instances": [{"b64": B64}, {"b64": B64[:-2]}]})
tfs('predict_instances_feature.json', {"signature_name": "serving_default", "instances": [{"image_bytes": {"b64": B64}}]})
tfs('predict_inputs_columnar.json', {"inputs": {"image": [{"b64": B64}]}})
tfs('predict_inputs_single.json', {"inputs": {"b64": B64}})
tfs('predict_tensor_uint8.json', {"instances": [[[[0, 1, 2], [3, 4, 5]], [[6, 7, 8], [9, 10, 255]]],
                                                {"x": [[[1, 2, 3], [4, 5, 6]], [[7, 8, 9], [10, 11, 12]]]}]})
tfs('predict_tensor_int8.json', {"inputs": [[[[-128], [127]]]]})
tfs('predict_tensor_fp32.json', {"instances": [[[[0.5, -1.5]], [[2.0, 3e-3]]]]})
tfs('classify_examples.json', {"examples": [{"image": {"b64": B64}}, {"image/encoded": {"b64": B64}},
                                            {"bytes": {"b64": "YQ=="}}]})

B = b'----labelite7Qx'
mp('form_file.req', 'multipart/form-data; boundary=----labelite7Qx',
   b'--' + B + b'\r\nContent-Disposition: form-data; name="file"; filename="tiny.bmp"\r\nContent-Type: image/bmp\r\n\r\n' +
   BMP + b'\r\n--' + B + b'--\r\n')
mp('form_field_then_image.req', 'multipart/form-data; boundary=xyz',
   b'--xyz\r\nContent-Disposition: form-data; name="top_k"\r\n\r\n3\r\n--xyz\r\n'
   b'Content-Disposition: form-data; name="image"\r\nContent-Type: application/octet-stream\r\n\r\n' +
   BMP + b'\r\n--xyz--\r\n')
mp('form_other_name.req', 'multipart/form-data; boundary="q b"',
   b'--q b\r\nContent-Disposition: form-data; name="upload"; filename="a\xc3\xa9.bmp"\r\n\r\n' + BMP + b'\r\n--q b--\r\n')
mp('form_no_file.req', 'multipart/form-data; boundary=b',
   b'--b\r\nContent-Disposition: form-data; name="note"\r\n\r\nhello\r\n--b--\r\n')
mp('raw_bmp.req', 'image/bmp', BMP)
mp('urlencoded_bmp.req', 'application/x-www-form-urlencoded', BMP)
