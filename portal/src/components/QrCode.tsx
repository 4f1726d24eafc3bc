import QRCode from "qrcode";
import { useEffect, useState } from "react";

/** A QR code generated locally (no remote service), as an inline SVG image. */
export function QrCode({
  value,
  label,
  size = 220,
}: {
  value: string;
  label: string;
  size?: number;
}) {
  const [svg, setSvg] = useState<string>("");
  useEffect(() => {
    void QRCode.toString(value, { type: "svg", margin: 2, errorCorrectionLevel: "M" }).then(setSvg);
  }, [value]);
  return (
    <div
      className="qr"
      role="img"
      aria-label={label}
      style={{ width: size, height: size }}
      // biome-ignore lint/security/noDangerouslySetInnerHtml: SVG generated locally by qrcode
      dangerouslySetInnerHTML={{ __html: svg }}
    />
  );
}
export default QrCode;
