import { render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { passkeyUnsupportedReason } from "../chain/passkey.ts";
import WalletPage from "../pages/Wallet.tsx";

describe("passkey sign-in", () => {
  const w = window as unknown as { PublicKeyCredential?: unknown };
  afterEach(() => {
    delete w.PublicKeyCredential;
  });

  it("tells a device without passkeys, in Korean, to use the password wallet, which stays", () => {
    delete w.PublicKeyCredential; // jsdom, like an old phone, has no WebAuthn
    expect(passkeyUnsupportedReason()).toBe("wallet.passkeyNoSupport");
    render(<WalletPage />);
    expect(screen.getByText(/패스키를 지원하지 않습니다/)).toBeTruthy();
    expect(document.querySelector("[data-passkey-create]")).toBeNull();
    expect(screen.getAllByText("새 지갑 만들기").length).toBeGreaterThan(0);
  });

  it("offers to create a passkey where the browser has WebAuthn", () => {
    w.PublicKeyCredential = () => {};
    Object.defineProperty(window, "isSecureContext", { value: true, configurable: true });
    Object.defineProperty(navigator, "credentials", { value: {}, configurable: true });
    expect(passkeyUnsupportedReason()).toBeNull();
    render(<WalletPage />);
    expect(document.querySelector("[data-passkey-create]")?.textContent).toBe("패스키 만들기");
  });
});
