"""Who is talking and about what: situation keywords per age, and the fillers for `{slot}`s."""

from __future__ import annotations

import random

AGES = ("청소년", "청년", "중년", "노년")
AGE_WEIGHTS = (20, 30, 28, 22)  # the real corpus has more adults than teenagers
GENDERS = ("남성", "여성")

# Each age talks about its own domains; the value is the 상황키워드 written in the corpus.
SITUATIONS = {
    "청소년": {"school": "학업 및 진로", "bully": "학교폭력/따돌림", "family": "가족관계", "friends": "대인관계"},
    "청년": {"job": "진로,취업,직장", "romance": "연애,결혼,출산", "work": "직장, 업무 스트레스",
             "money": "재정", "friends": "대인관계", "family": "가족관계"},
    "중년": {"work": "직장, 업무 스트레스", "spouse_kids": "대인관계(부부, 자녀)", "money": "재정",
             "health": "건강", "friends": "대인관계", "family": "가족관계"},
    "노년": {"retire": "재정,은퇴,노후준비", "health": "건강,죽음", "spouse_kids": "대인관계(부부, 자녀)",
             "family": "가족관계", "friends": "대인관계"},
}

# Slots that name a person; the first one in an event is who the later turns talk about.
PERSON_SLOTS = ("friend", "family", "child", "kid", "partner", "spouse", "sibling", "teacher",
                "bully", "boss", "coworker", "doctor", "neighbor")

# Fillers keyed by the most specific of "age/gender", age, gender, "*".
SLOTS = {
    "friend": {
        "청소년": ("친구", "단짝", "같은 반 친구", "짝꿍", "제일 친한 친구"),
        "청년": ("친구", "대학 동기", "오랜 친구", "고등학교 친구", "룸메이트"),
        "중년": ("친구", "오랜 친구", "동창", "동네 친구", "고향 친구"),
        "노년": ("친구", "오랜 친구", "동네 친구", "경로당 친구", "고향 친구"),
    },
    "family": {
        "청소년/남성": ("엄마", "아빠", "형", "누나", "동생", "할머니"),
        "청소년/여성": ("엄마", "아빠", "오빠", "언니", "동생", "할머니"),
        "청년/남성": ("엄마", "아빠", "부모님", "형", "누나", "동생"),
        "청년/여성": ("엄마", "아빠", "부모님", "오빠", "언니", "동생"),
        "중년/남성": ("어머니", "아버지", "형", "누나", "동생", "장모님"),
        "중년/여성": ("어머니", "아버지", "오빠", "언니", "동생", "시어머니"),
        "노년": ("아들", "딸", "며느리", "사위", "동생", "큰아들"),
    },
    "child": {
        "노년": ("아들", "딸", "큰아들", "막내딸", "며느리", "사위"),
        "*": ("아들", "딸", "큰아들", "작은딸", "큰딸"),
    },
    "kid": {
        "노년": ("손주", "손자", "손녀", "막내 손주"),
        "*": ("아들", "딸", "중학생 아들", "고등학생 딸", "막내", "큰애"),
    },
    "partner": {"남성": ("여자친구", "여자 친구", "애인"), "여성": ("남자친구", "남자 친구", "애인")},
    "spouse": {"남성": ("아내", "집사람", "와이프"), "여성": ("남편", "신랑"), "노년/여성": ("남편", "영감")},
    "sibling": {"남성": ("형", "누나", "동생"), "여성": ("오빠", "언니", "동생")},
    # Someone to confide in; unlike the people above, never the cause of the trouble.
    "confidant": {
        "청소년": ("엄마", "친구", "담임 선생님", "아빠"), "청년": ("엄마", "친구", "부모님", "선배"),
        "중년/남성": ("아내", "친구", "동생"), "중년/여성": ("남편", "친구", "언니"),
        "노년/남성": ("아내", "아들", "딸"), "노년/여성": ("남편", "딸", "아들"),
    },
    "teacher": {"*": ("담임 선생님", "선생님", "학원 선생님", "수학 선생님", "체육 선생님")},
    "bully": {"*": ("같은 반 애들", "반 애들 몇 명", "옆 반 애들", "선배들", "그 애들")},
    "boss": {"*": ("팀장님", "부장님", "과장님", "상사", "실장님", "사장님")},
    "coworker": {"*": ("동료", "입사 동기", "옆자리 동료", "후배", "선배", "같은 팀 동료")},
    "doctor": {"*": ("의사 선생님", "담당 의사", "주치의", "의사")},
    "neighbor": {"*": ("옆집 사람", "윗집 사람", "아랫집 사람", "이웃")},
    "when": {"*": ("오늘", "어제", "아까", "며칠 전에", "지난주에", "이번 주에", "주말에", "얼마 전에", "지난달에")},
    "exam": {"*": ("중간고사", "기말고사", "모의고사", "수행평가", "쪽지 시험")},
    "subject": {"*": ("수학", "영어", "국어", "과학", "한국사")},
    "job_test": {"*": ("인적성 시험", "자격증 시험", "필기시험", "1차 면접", "최종 면접")},
    "company": {"*": ("회사", "공기업", "대기업", "게임 회사", "출판사", "디자인 회사")},
    "work_item": {"*": ("보고서", "기획안", "발표 자료", "제안서", "프로젝트 계획서")},
    "debt": {"*": ("학자금 대출", "카드 빚", "신용 대출", "자동차 할부")},
    "checkup": {"*": ("건강 검진", "정밀 검사", "혈액 검사", "종합 검진", "조직 검사")},
    "body": {"*": ("무릎", "허리", "어깨", "발목", "손목")},
    "illness": {"*": ("당뇨", "혈압", "콜레스테롤", "혈당")},
    "hobby": {"*": ("서예", "그림", "노래", "사진", "탁구")},
    "adv": {"*": ("너무", "정말", "진짜", "좀", "엄청", "많이")},
}
SLOT_ORDER = tuple(SLOTS)  # draw in a fixed order so a seed always gives the same row


def options(name: str, age: str, gender: str) -> tuple[str, ...]:
    table = SLOTS[name]
    for key in (f"{age}/{gender}", age, gender, "*"):
        if key in table:
            return table[key]
    raise KeyError(f"slot {name} has no filler for {age}/{gender}")


def draw_speaker(rng: random.Random) -> tuple[str, str]:
    age = rng.choices(AGES, weights=AGE_WEIGHTS)[0]
    return age, rng.choice(GENDERS)


def draw_slots(rng: random.Random, age: str, gender: str) -> dict[str, str]:
    """One filler per slot, fixed for the whole dialogue so every turn names the same people."""
    return {name: rng.choice(options(name, age, gender)) for name in SLOT_ORDER}


def draw_condition(rng: random.Random, age: str, domain: str) -> str:
    """신체질환: the young mostly 해당없음; older speakers, and talk about health, more often ill."""
    if age in ("청소년", "청년") and domain != "health":
        return "해당없음" if rng.random() < 0.9 else "만성질환 무"
    share_ill = 0.7 if domain in ("health", "retire") else 0.4
    return "만성질환 유" if rng.random() < share_ill else rng.choice(("만성질환 무", "해당없음"))
