/**
 * Korean strings of the supplier page (sealed bids): loaded with the pages that use them, not with the
 * portal's first script (see addKoSection in ./index.ts). English keeps them in en.ts.
 */
export const supplierKo = {
  title: "공급업체 화면",
  open: "진행 중인 입찰",
  bid: "봉인 입찰",
  price: "입찰가 (원, 전체 수량)",
  picks: "복수예가 추첨 번호 2개 (1~15)",
  bondDoc: "보증서 번호",
  bidDoc: "입찰서 번호",
  commit: "봉인해서 제출",
  reveal: "개찰 (입찰가 공개)",
  deliver: "납품 기록",
  deliveryDoc: "납품서 번호",
  secrets: "내 봉인 입찰 비밀 (이 브라우저)",
  secretsHelp:
    "입찰가, 추첨 번호, 솔트는 개찰 때 꼭 필요합니다. 이 브라우저에 지갑 열쇠로 암호화해 저장하며, 잃어버리면 개찰할 수 없고 보증금이 귀속됩니다. 반드시 내보내 두세요.",
  exportSecrets: "비밀 내보내기 (백업)",
  importSecrets: "비밀 가져오기",
  backupWarn:
    "백업하지 않은 봉인 입찰 비밀이 있습니다. 이 창을 닫으면 개찰할 수 없게 될 수 있습니다.",
  errPicks: "1~15 사이의 서로 다른 번호 2개를 고르세요.",
  errPrice: "입찰가는 0보다 큰 정수(원)여야 합니다.",
  noSecret: "이 입찰의 비밀이 이 브라우저에 없습니다. 백업 파일을 가져오세요.",
  alreadyCommitted:
    "이 입찰에는 이미 봉인 입찰을 제출했습니다. 다시 제출할 수 없으며, 저장된 비밀은 그대로 둡니다.",
  backupNow:
    "봉인 입찰을 제출했습니다. 지금 비밀 백업 파일을 받아 두세요: 이 파일이 없으면 개찰할 수 없고 보증금이 귀속됩니다.",
  backedUp: "입찰 비밀을 백업했습니다.",
  chainUnreadable: "블록체인에서 내 입찰 상태를 읽지 못했습니다. 잠시 후 다시 시도하세요.",
  noBid: "이 입찰에는 제출한 봉인 입찰이 없습니다.",
  revealLater: "입찰 마감({{at}}) 뒤 개찰 기간에 이 화면에서 개찰하세요.",
  importBad: "백업 파일을 읽을 수 없습니다. 내보낸 비밀 파일(.json)을 고르세요.",
  won: "내 낙찰 (납품)",
  phase: {
    bidding: "입찰 접수 중",
    reveal: "개찰 기간",
    awaitingSeed: "낙찰 대기",
    awaitingAward: "낙찰 대기",
    lapsable: "유찰 예정",
    awaitingDelivery: "납품 대기",
    terminable: "납품 기한 지남",
    inspection: "검수 중",
    closed: "종료",
  },
  bidStatus: {
    Committed: "봉인 입찰 제출됨 (개찰 전)",
    Revealed: "개찰 완료: 낙찰 결과를 기다립니다",
    Closed: "입찰 종료 (보증금 정산됨)",
  },
};
