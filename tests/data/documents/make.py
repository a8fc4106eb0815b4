# Makes the test documents for shared/src/document_file (see README.md here).
import io, struct
from PIL import Image, ImageDraw, PngImagePlugin
from pypdf import PdfWriter
import pikepdf

# A phone-style photo: 320x240, with the EXIF a phone writes (make, model, GPS, date),
# orientation 6 (the phone was held upright), an XMP packet and a comment.
img = Image.new("RGB", (320, 240), (200, 220, 240))
d = ImageDraw.Draw(img)
for i in range(0, 320, 20):
    d.rectangle([i, 0, i + 9, 239], fill=(i % 255, 120, 60))
d.ellipse([100, 60, 220, 180], fill=(250, 200, 0))
exif = Image.Exif()
exif[0x010F] = "Apple"  # Make
exif[0x0110] = "iPhone 15 Pro"  # Model
exif[0x0112] = 6  # Orientation
exif[0x0131] = "17.4.1"  # Software
details = exif.get_ifd(0x8769)  # Exif IFD
details[0x9003] = "2026:11:03 09:41:07"  # DateTimeOriginal
details[0xA434] = "iPhone 15 Pro back triple camera 6.765mm f/1.78"  # LensModel
gps = exif.get_ifd(0x8825)  # GPS IFD
gps[1], gps[2] = "N", (35.0, 40.0, 52.26)
gps[3], gps[4] = "E", (139.0, 45.0, 36.12)
gps[5], gps[6] = b"\x00", 40.12
buf = io.BytesIO()
img.save(buf, "JPEG", quality=85, exif=exif.tobytes(), comment=b"Taken at home")
data = buf.getvalue()
# An XMP packet (APP1 "http://ns.adobe.com/xap/1.0/") after the EXIF, as phones write one.
xmp = b'http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="35,40.871N"/></rdf:RDF></x:xmpmeta>'
seg = b"\xff\xe1" + struct.pack(">H", len(xmp) + 2) + xmp
exif_at = data.index(b"\xff\xe1")
exif_end = exif_at + 2 + struct.unpack(">H", data[exif_at + 2:exif_at + 4])[0]
data = data[:exif_end] + seg + data[exif_end:]
open("phone-photo-gps.jpg", "wb").write(data)
# The same photo cut off in the middle of its scan, as a failed upload leaves it.
open("truncated.jpg", "wb").write(data[: len(data) * 2 // 3])

# A screenshot-like PNG with text chunks (tEXt, iTXt) naming its author and place.
png = Image.new("RGB", (200, 120), (255, 255, 255))
ImageDraw.Draw(png).rectangle([20, 20, 180, 100], outline=(0, 0, 0), width=3)
info = PngImagePlugin.PngInfo()
info.add_text("Author", "Yamada Taro")
info.add_itxt("Comment", "Tokyo, Setagaya 1-2-3")
png.save("text-chunk.png", pnginfo=info)

# A one-page scan-like PDF; the same encrypted with a user password; one with a JavaScript
# OpenAction (written plainly); and one whose JavaScript action sits in a compressed object stream.
def one_page():
    w = PdfWriter()
    w.add_blank_page(width=595, height=842)
    return w
w = one_page(); w.write("plain.pdf")
with pikepdf.open("plain.pdf") as pdf:
    pdf.save("encrypted.pdf", encryption=pikepdf.Encryption(user="secret", owner="owner", aes=True))
    # Opens without a password, but encrypted all the same (an owner password restricts it).
    pdf.save("encrypted-owner-only.pdf", encryption=pikepdf.Encryption(user="", owner="owner", aes=True))
with pikepdf.open("plain.pdf") as pdf:
    action = pdf.make_indirect(pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)")))
    pdf.Root.OpenAction = action
    pdf.save("javascript.pdf", object_stream_mode=pikepdf.ObjectStreamMode.disable, compress_streams=False)
    pdf.save("javascript-object-stream.pdf", object_stream_mode=pikepdf.ObjectStreamMode.generate, compress_streams=True)
